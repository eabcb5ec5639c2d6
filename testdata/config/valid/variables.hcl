variable "env" {
  type        = string
  default     = "dev"
  description = "deployment environment"
}

variable "port" {
  type    = number
  default = 80
}

variable "origin_ips" {
  type = list(string)
}

variable "enabled" {
  type    = bool
  default = true
}

variable "weights" {
  type    = map(number)
  default = { primary = 10, backup = 5 }
}

variable "secret_key" {
  type      = string
  sensitive = true
  default   = "s3cr3t-key"
}

variable "secret_host" {
  type      = string
  sensitive = true
  default   = "hidden-origin"
}

variable "endpoint" {
  default = "embedded"
}

variable "precedence" {
  type    = string
  default = "default"
}
