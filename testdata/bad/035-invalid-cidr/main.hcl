provider "aliyun" {
  endpoint          = "EMULATOR_URL"
  access_key_id     = "testid"
  access_key_secret = "testsecret"
}

resource "cdn_domain" "web" {
  name = "www.example.com"

  origin {
    type    = "ip"
    address = "192.0.2.10"
  }
  ip_filter {
    mode = "deny"
    list = ["203.0.113.0/24", "10.0.0.0/33"]
  }
}
