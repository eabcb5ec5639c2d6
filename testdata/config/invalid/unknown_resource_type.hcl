provider "aliyun" {}

resource "cdn_domian" "a" {
}
