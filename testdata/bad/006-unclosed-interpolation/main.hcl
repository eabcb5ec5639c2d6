provider "aliyun" {
  endpoint          = "EMULATOR_URL"
  access_key_id     = "testid"
  access_key_secret = "testsecret"
}
locals {
  zone = "example.com"
}

resource "cdn_domain" "web" {
  name = "www.${local.zone"

  origin {
    type    = "ip"
    address = "192.0.2.10"
  }
}
