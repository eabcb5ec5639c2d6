provider "aliyun" {
  alias = "eu"
}

provider "aliyun" {
  alias = "eu"
}
