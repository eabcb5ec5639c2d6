provider "ctg" {
  endpoint   = "EMULATOR_URL"
  access_key = "testid"
  secret_key = "testsecret"
}

resource "cdn_domain" "web" {
  name = "www.example.com"

  origin {
    type    = "ip"
    address = "192.0.2.10"
  }
}
