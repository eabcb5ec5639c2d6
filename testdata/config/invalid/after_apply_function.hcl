provider "aliyun" {}

resource "cdn_domain" "a" {
  name = "a.example.com"
  origin {
    type    = "domain"
    address = upper(cdn_domain.web.cname)
  }
}

resource "cdn_domain" "web" {
  name = "web.example.com"
  origin {
    type    = "ip"
    address = "192.0.2.1"
  }
}
