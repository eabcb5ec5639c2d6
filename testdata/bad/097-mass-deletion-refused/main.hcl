provider "aliyun" {
  endpoint          = "EMULATOR_URL"
  access_key_id     = "testid"
  access_key_secret = "testsecret"
}

resource "cdn_domain" "d1" {
  name = "d1.example.com"

  origin {
    type    = "ip"
    address = "192.0.2.1"
  }
}

resource "cdn_domain" "d2" {
  name = "d2.example.com"

  origin {
    type    = "ip"
    address = "192.0.2.2"
  }
}

resource "cdn_domain" "d3" {
  name = "d3.example.com"

  origin {
    type    = "ip"
    address = "192.0.2.3"
  }
}

resource "cdn_domain" "d4" {
  name = "d4.example.com"

  origin {
    type    = "ip"
    address = "192.0.2.4"
  }
}
