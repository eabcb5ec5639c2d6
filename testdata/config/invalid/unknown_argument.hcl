provider "aliyun" {}

resource "cdn_domain" "a" {
  nmae = "a.example.com"
  origin {
    type    = "ip"
    address = "192.0.2.1"
  }
}
