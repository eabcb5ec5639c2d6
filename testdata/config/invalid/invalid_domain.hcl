provider "aliyun" {}

resource "cdn_domain" "a" {
  name = "bad_name.example.com"
  origin {
    type    = "ip"
    address = "192.0.2.1"
  }
}
