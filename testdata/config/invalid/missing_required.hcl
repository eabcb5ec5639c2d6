provider "aliyun" {}

resource "cdn_domain" "a" {
  origin {
    type    = "ip"
    address = "192.0.2.1"
  }
}
