locals {
  zone = = "example.com"
}
