# --- The ChainOps module contract (ChainOps passes these with -var) ---------------------------

variable "env" {
  description = "ChainOps environment (dev, staging, prod…)."
  type        = string
}

variable "group" {
  description = "ChainOps node group."
  type        = string
}

variable "node_names" {
  description = "Nodes that should exist; one instance (and volume) per name."
  type        = list(string)
}

variable "shape" {
  description = "The group's shape from the fleet file: {cpu, ram_gib, disk_gib, bandwidth_mbps}."
  type = object({
    cpu            = number
    ram_gib        = number
    disk_gib       = number
    bandwidth_mbps = optional(number)
  })
}

# --- Settings of this module (terraform.tfvars next to it) ----------------------------------

variable "region" {
  description = "AWS region."
  type        = string
}

variable "vpc_id" {
  description = "VPC the nodes run in."
  type        = string
}

variable "subnet_ids" {
  description = "Subnets to spread the nodes over (round-robin by node)."
  type        = list(string)
}

variable "ami_id" {
  description = "Machine image (e.g. Debian 12 or Ubuntu 24.04, x86_64)."
  type        = string
}

variable "ssh_user" {
  description = "Login user of the image (admin on Debian, ubuntu on Ubuntu)."
  type        = string
  default     = "admin"
}

variable "ssh_public_key" {
  description = "Public key ChainOps workers log in with (the pair of CHAINOPS_SSH_KEY_FILE)."
  type        = string
}

variable "ssh_cidrs" {
  description = "Where ChainOps workers connect from over SSH."
  type        = list(string)
}

variable "rpc_port" {
  description = "JSON-RPC port of the client (8545 geth, 8332 bitcoind, 5052 beacon…)."
  type        = number
  default     = 8545
}

variable "rpc_cidrs" {
  description = "Who may reach the RPC port (ChainOps workers and bots; never 0.0.0.0/0)."
  type        = list(string)
}

variable "p2p_ports" {
  description = "Peer-to-peer ports open to the internet, TCP and UDP (30303 for execution clients)."
  type        = list(number)
  default     = [30303]
}

variable "public_ip" {
  description = "Give nodes a public IP (needed for inbound P2P unless behind a NAT gateway)."
  type        = bool
  default     = true
}

variable "instance_types" {
  description = "Instance type per shape, keyed \"<cpu>x<ram_gib>\"; a shape not listed needs instance_type."
  type        = map(string)
  default = {
    "2x4"    = "t3.medium"
    "2x8"    = "m6i.large"
    "4x16"   = "m6i.xlarge"
    "8x32"   = "m6i.2xlarge"
    "16x64"  = "m6i.4xlarge"
    "4x32"   = "r6i.xlarge"
    "8x64"   = "r6i.2xlarge"
    "16x128" = "r6i.4xlarge"
  }
}

variable "instance_type" {
  description = "Instance type for all nodes, overriding instance_types (empty = look the shape up)."
  type        = string
  default     = ""
}

variable "volume_type" {
  description = "EBS type of the data volume."
  type        = string
  default     = "gp3"
}

variable "volume_iops" {
  description = "Provisioned IOPS of the data volume (gp3: 3000–16000)."
  type        = number
  default     = 6000
}
