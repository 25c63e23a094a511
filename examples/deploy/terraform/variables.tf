variable "slack_signing_secret" {
  description = "The Slack app's signing secret (Basic Information > App Credentials); the handler checks every request's signature with it."
  type        = string
  sensitive   = true
  nullable    = false
}

variable "after_response_layer_arn" {
  description = "A published after-response layer version ARN; null (default) publishes dist/after-response-layer.zip."
  type        = string
  default     = null
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
