provider "aliyun" {}

variable "region" {
  type = string
}
