provider "aliyun" {}

resource "cdn_domain" "a" {
  name = "a.example.com"
  origin {
    type    = "domain"
    address = cdn_domain.wbe.cname
  }
}

resource "cdn_domain" "web" {
  name = "web.example.com"
  origin {
    type    = "ip"
    address = "192.0.2.1"
  }
}
