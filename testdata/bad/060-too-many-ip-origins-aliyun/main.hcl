provider "aliyun" {
  endpoint          = "EMULATOR_URL"
  access_key_id     = "testid"
  access_key_secret = "testsecret"
}

resource "cdn_domain" "web" {
  name = "www.example.com"

  origin {
    type    = "ip"
    address = "192.0.2.1"
  }

  origin {
    type    = "ip"
    address = "192.0.2.2"
  }

  origin {
    type    = "ip"
    address = "192.0.2.3"
  }

  origin {
    type    = "ip"
    address = "192.0.2.4"
  }

  origin {
    type    = "ip"
    address = "192.0.2.5"
  }

  origin {
    type    = "ip"
    address = "192.0.2.6"
  }

  origin {
    type    = "ip"
    address = "192.0.2.7"
  }

  origin {
    type    = "ip"
    address = "192.0.2.8"
  }

  origin {
    type    = "ip"
    address = "192.0.2.9"
  }

  origin {
    type    = "ip"
    address = "192.0.2.10"
  }

  origin {
    type    = "ip"
    address = "192.0.2.11"
  }

  origin {
    type    = "ip"
    address = "192.0.2.12"
  }

  origin {
    type    = "ip"
    address = "192.0.2.13"
  }

  origin {
    type    = "ip"
    address = "192.0.2.14"
  }

  origin {
    type    = "ip"
    address = "192.0.2.15"
  }

  origin {
    type    = "ip"
    address = "192.0.2.16"
  }

  origin {
    type    = "ip"
    address = "192.0.2.17"
  }

  origin {
    type    = "ip"
    address = "192.0.2.18"
  }

  origin {
    type    = "ip"
    address = "192.0.2.19"
  }

  origin {
    type    = "ip"
    address = "192.0.2.20"
  }

  origin {
    type    = "ip"
    address = "192.0.2.21"
  }
}
