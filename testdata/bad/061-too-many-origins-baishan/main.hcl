provider "baishan" {
  endpoint = "EMULATOR_URL/v2"
  token    = "testtoken"
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
}
