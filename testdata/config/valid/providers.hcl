# Two configurations of the same vendor: the default and "eu".
provider "aliyun" {
  endpoint          = var.endpoint
  access_key_id     = "AKIDEXAMPLE"
  access_key_secret = var.secret_key
}

provider "aliyun" {
  alias    = "eu"
  endpoint = "https://cdn.eu-central-1.example.com"
}
