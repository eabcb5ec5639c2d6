provider "aliyun" {
  endpoint          = "EMULATOR_URL"
  access_key_id     = "testid"
  access_key_secret = "testsecret"
}

resource "cdn_domain" "site" {

  name = "${each.key}.example.com"

  origin {
    type    = "ip"
    address = "192.0.2.10"
  }
}
