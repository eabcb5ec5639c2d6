provider "aliyun" {}

locals {
  zone = "example.com"
}

locals {
  zone = "example.org"
}
