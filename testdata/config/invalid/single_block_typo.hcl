provider "aliyun" {}

resource "cdn_domain" "a" {
  name = "a.example.com"
  origin {
    type    = "ip"
    address = "192.0.2.1"
  }
  https {
    certficate {
      id = "cert-1"
    }
  }
}

resource "cdn_domain" "b" {
  name = "b.example.com"
  origin {
    type    = "ip"
    address = "192.0.2.2"
  }
  https {
    http2 = cdn_domain.a.https.htp2
    certificate {
      id = "cert-1"
    }
  }
}
