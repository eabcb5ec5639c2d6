provider "aliyun" {}

resource "cdn_domain" "a" {
  name = "a.example.com"
  orgin {
    type    = "ip"
    address = "192.0.2.1"
  }
}
