output "slash_command_url" {
  description = "The Request URL to give the Slack slash command."
  value       = aws_lambda_function_url.slash_command.function_url
}

output "function_name" {
  value = aws_lambda_function.slash_command.function_name
}

output "task_dead_letter_queue_url" {
  description = "Tasks that failed every delivery; inspect and redrive them."
  value       = aws_sqs_queue.task_dlq.url
}
