# EC2 nodes for one ChainOps group in one environment: an instance per node name (for_each, so a
# decommission can target exactly one node), a separate data volume sized from the shape, and a
# security group for P2P (open) and RPC/SSH (restricted). Every node gets a host key generated here,
# so ChainOps can pin it (ssh_host_key in the output) before it ever connects.

locals {
  shape_key     = "${var.shape.cpu}x${var.shape.ram_gib}"
  instance_type = var.instance_type != "" ? var.instance_type : lookup(var.instance_types, local.shape_key, "")
  nodes         = { for i, name in var.node_names : name => { subnet_id = var.subnet_ids[i % length(var.subnet_ids)] } }
}

resource "terraform_data" "shape_check" {
  input = local.instance_type

  lifecycle {
    precondition {
      condition     = local.instance_type != ""
      error_message = "No instance type for shape ${local.shape_key}: add it to instance_types or set instance_type."
    }
  }
}

resource "aws_security_group" "nodes" {
  name_prefix = "chainops-${var.env}-${var.group}-"
  description = "ChainOps ${var.env}/${var.group}: P2P open, RPC and SSH restricted"
  vpc_id      = var.vpc_id

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_vpc_security_group_ingress_rule" "p2p_tcp" {
  for_each          = toset([for p in var.p2p_ports : tostring(p)])
  security_group_id = aws_security_group.nodes.id
  description       = "P2P TCP"
  ip_protocol       = "tcp"
  from_port         = tonumber(each.value)
  to_port           = tonumber(each.value)
  cidr_ipv4         = "0.0.0.0/0"
}

resource "aws_vpc_security_group_ingress_rule" "p2p_udp" {
  for_each          = toset([for p in var.p2p_ports : tostring(p)])
  security_group_id = aws_security_group.nodes.id
  description       = "P2P UDP (discovery)"
  ip_protocol       = "udp"
  from_port         = tonumber(each.value)
  to_port           = tonumber(each.value)
  cidr_ipv4         = "0.0.0.0/0"
}

resource "aws_vpc_security_group_ingress_rule" "rpc" {
  for_each          = toset(var.rpc_cidrs)
  security_group_id = aws_security_group.nodes.id
  description       = "JSON-RPC from ChainOps"
  ip_protocol       = "tcp"
  from_port         = var.rpc_port
  to_port           = var.rpc_port
  cidr_ipv4         = each.value
}

resource "aws_vpc_security_group_ingress_rule" "ssh" {
  for_each          = toset(var.ssh_cidrs)
  security_group_id = aws_security_group.nodes.id
  description       = "SSH from ChainOps workers (Ansible, host facts)"
  ip_protocol       = "tcp"
  from_port         = 22
  to_port           = 22
  cidr_ipv4         = each.value
}

resource "aws_vpc_security_group_egress_rule" "all" {
  security_group_id = aws_security_group.nodes.id
  description       = "Outbound: peers, package mirrors, snapshots"
  ip_protocol       = "-1"
  cidr_ipv4         = "0.0.0.0/0"
}

resource "aws_key_pair" "chainops" {
  key_name_prefix = "chainops-${var.env}-${var.group}-"
  public_key      = var.ssh_public_key
}

# The host key is made here and installed by cloud-init, so its public half is known in advance.
# Its private half lives in the Terraform state: keep the state encrypted (S3 + KMS, or similar).
resource "tls_private_key" "host" {
  for_each  = local.nodes
  algorithm = "ED25519"
}

resource "aws_instance" "node" {
  for_each = local.nodes

  ami                         = var.ami_id
  instance_type               = local.instance_type
  subnet_id                   = each.value.subnet_id
  vpc_security_group_ids      = [aws_security_group.nodes.id]
  key_name                    = aws_key_pair.chainops.key_name
  associate_public_ip_address = var.public_ip
  ebs_optimized               = true

  metadata_options {
    http_tokens = "required"
  }

  root_block_device {
    volume_type = "gp3"
    volume_size = 30
    encrypted   = true
  }

  user_data_replace_on_change = true
  user_data = templatefile("${path.module}/cloud-init.yaml.tftpl", {
    host_private_key = tls_private_key.host[each.key].private_key_openssh
    host_public_key  = tls_private_key.host[each.key].public_key_openssh
    hostname         = each.key
  })

  tags = {
    Name            = each.key
    "chainops:node" = each.key
  }

  depends_on = [terraform_data.shape_check]
}

resource "aws_ebs_volume" "data" {
  for_each = local.nodes

  availability_zone = aws_instance.node[each.key].availability_zone
  size              = var.shape.disk_gib
  type              = var.volume_type
  iops              = var.volume_type == "gp3" ? var.volume_iops : null
  encrypted         = true

  tags = {
    Name            = "${each.key}-data"
    "chainops:node" = each.key
  }
}

resource "aws_volume_attachment" "data" {
  for_each    = local.nodes
  device_name = "/dev/sdf"
  volume_id   = aws_ebs_volume.data[each.key].id
  instance_id = aws_instance.node[each.key].id
}
