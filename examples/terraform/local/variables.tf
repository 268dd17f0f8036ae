# The ChainOps module contract: every module ChainOps drives declares these four variables.
variable "env" {
  description = "ChainOps environment (dev, staging, prod…); passed by ChainOps."
  type        = string
}

variable "group" {
  description = "ChainOps node group; passed by ChainOps."
  type        = string
}

variable "node_names" {
  description = "Names of the nodes that should exist, one instance each (for_each key = node name); passed by ChainOps."
  type        = list(string)
}

variable "shape" {
  description = "The group's instance shape from the fleet file ({cpu, ram_gib, disk_gib, bandwidth_mbps}); null when unset."
  type        = any
  default     = null
}

# Settings of this local module only (set them in terraform.tfvars next to this file).
variable "ganache_bin" {
  description = "Path of the ganache CLI (node_modules/.bin/ganache of the ChainOps checkout)."
  type        = string
  default     = "../../../node_modules/.bin/ganache"
}

variable "base_port" {
  description = "RPC port of node N is base_port + N (N = the number at the end of the node name)."
  type        = number
  default     = 18540
}

variable "run_dir" {
  description = "Where pid files and node logs go; default .run inside this module."
  type        = string
  default     = ""
}

variable "chain_id" {
  description = "EIP-155 chain id of the local ganache nodes."
  type        = number
  default     = 1337
}

variable "block_time" {
  description = "Seconds between mined blocks."
  type        = number
  default     = 1
}
