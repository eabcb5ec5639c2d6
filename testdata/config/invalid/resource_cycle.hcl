provider "aliyun" {}

resource "cdn_domain" "a" {
  name = "a.example.com"
  origin {
    type    = "domain"
    address = cdn_domain.b.cname
  }
}

resource "cdn_domain" "b" {
  name       = "b.example.com"
  depends_on = [cdn_domain.a]
  origin {
    type    = "ip"
    address = "192.0.2.1"
  }
}
