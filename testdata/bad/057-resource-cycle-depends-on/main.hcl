provider "aliyun" {
  endpoint          = "EMULATOR_URL"
  access_key_id     = "testid"
  access_key_secret = "testsecret"
}

resource "cdn_domain" "a" {
  name = "a.example.com"

  origin {
    type    = "ip"
    address = "192.0.2.10"
  }
  depends_on = [cdn_domain.b]
}

resource "cdn_domain" "b" {
  name = "b.example.com"

  origin {
    type    = "ip"
    address = "192.0.2.10"
  }
  depends_on = [cdn_domain.a]
}
