provider "aliyun" {}

resource "cdn_domain" "a" {
  name = "a.example.com"
  origin {
    type    = "ipv4"
    address = "192.0.2.1"
  }
}
