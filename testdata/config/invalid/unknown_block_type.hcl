provider "aliyun" {}

resorce "cdn_domain" "a" {
}
