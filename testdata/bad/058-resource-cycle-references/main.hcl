provider "aliyun" {
  endpoint          = "EMULATOR_URL"
  access_key_id     = "testid"
  access_key_secret = "testsecret"
}

resource "cdn_domain" "a" {
  name = "a.example.com"

  origin {
    type    = "domain"
    address = cdn_domain.b.cname
  }
}

resource "cdn_domain" "b" {
  name = "b.example.com"

  origin {
    type    = "domain"
    address = cdn_domain.a.cname
  }
}
