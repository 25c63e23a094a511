variable "slack_signing_secret" {
  description = "The Slack app's signing secret (Basic Information > App Credentials); the handler checks every request's signature with it."
  type        = string
  sensitive   = true
  nullable    = false
}

variable "after_response_layer_arn" {
  description = "A published layer version ARN of your region (docs/layer-arns.md); null (default) publishes dist/after-response-layer.zip with this configuration."
  type        = string
  default     = null
  validation {
    condition     = var.after_response_layer_arn == null || can(regex("^arn:[a-z-]+:lambda:[a-z0-9-]+:[0-9]{12}:layer:[A-Za-z0-9_-]+:[0-9]+$", var.after_response_layer_arn))
    error_message = "after_response_layer_arn must be a layer version ARN, arn:PARTITION:lambda:REGION:ACCOUNT:layer:NAME:VERSION (docs/layer-arns.md lists them), or null to publish dist/after-response-layer.zip."
  }
}

variable "runtime" {
  description = "nodejs24.x or nodejs22.x; both work with the layer."
  type        = string
  default     = "nodejs24.x"
  validation {
    condition     = contains(["nodejs24.x", "nodejs22.x"], var.runtime)
    error_message = "runtime must be nodejs24.x or nodejs22.x."
  }
}

variable "timeout_seconds" {
  description = "Covers the handler AND the jobs after the response: Slack gets its answer within a second, the jobs get the rest, minus the 2000 ms deadline margin (AFTER_RESPONSE_DEADLINE_MARGIN_MS, set in main.tf)."
  type        = number
  default     = 30
  validation {
    condition     = var.timeout_seconds >= 5 && var.timeout_seconds <= 900
    error_message = "timeout_seconds must be between 5 and 900."
  }
}

variable "function_name" {
  description = "The Lambda function's name."
  type        = string
  default     = "slack-slash-command"
}
