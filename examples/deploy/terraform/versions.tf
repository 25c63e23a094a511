terraform {
  required_version = ">= 1.5"
  required_providers {
    aws = {
      source = "hashicorp/aws"
      # invoked_via_function_url (the second permission a public Function URL needs) is in 6.29+.
      version = ">= 6.29"
    }
    archive = {
      source  = "hashicorp/archive"
      version = ">= 2.4"
    }
  }
}

# Region and credentials from the environment (AWS_REGION, AWS_PROFILE, ...).
provider "aws" {}
