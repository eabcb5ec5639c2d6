provider "aliyun" {}

resource "cdn_domain" "a" {
  provider = aliyun.ue
  name     = "a.example.com"
  origin {
    type    = "ip"
    address = "192.0.2.1"
  }
}
