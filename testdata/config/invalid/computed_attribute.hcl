provider "aliyun" {}

resource "cdn_domain" "a" {
  name  = "a.example.com"
  cname = "a.cdn.test"
  origin {
    type    = "ip"
    address = "192.0.2.1"
  }
}
