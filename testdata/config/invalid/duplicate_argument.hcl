provider "aliyun" {}

resource "cdn_domain" "a" {
  name = "a.example.com"
  name = "b.example.com"
  origin {
    type    = "ip"
    address = "192.0.2.1"
  }
}
