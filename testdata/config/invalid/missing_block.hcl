provider "aliyun" {}

resource "cdn_domain" "a" {
  name = "a.example.com"
}
