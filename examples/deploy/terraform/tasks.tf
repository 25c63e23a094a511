# The task queue (docs/tasks.md): tasks that cannot finish in their invoke are sent here, and the
# same function finishes them through the event source mapping.

# A task that keeps failing ends here instead of retrying until its retention ends.
resource "aws_sqs_queue" "task_dlq" {
  name                      = "${var.function_name}-tasks-dlq"
  message_retention_seconds = 1209600 # 14 days, SQS's longest
}

resource "aws_sqs_queue" "tasks" {
  name = "${var.function_name}-tasks"
  # AWS's guidance for an SQS event source: visibility timeout >= 6 x the function timeout.
  visibility_timeout_seconds = 6 * var.timeout_seconds
  redrive_policy = jsonencode({
    deadLetterTargetArn = aws_sqs_queue.task_dlq.arn
    maxReceiveCount     = 5
  })
}

# Receive, delete and GetQueueAttributes for the event source mapping.
resource "aws_iam_role_policy_attachment" "sqs_consume" {
  role       = aws_iam_role.function.name
  policy_arn = "arn:${data.aws_partition.current.partition}:iam::aws:policy/service-role/AWSLambdaSQSQueueExecutionRole"
}

# The function sends the tasks it cannot finish (GetQueueAttributes warms the sender).
resource "aws_iam_role_policy" "task_send" {
  name = "send-tasks"
  role = aws_iam_role.function.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["sqs:SendMessage", "sqs:GetQueueAttributes"]
      Resource = aws_sqs_queue.tasks.arn
    }]
  })
}

resource "aws_lambda_event_source_mapping" "tasks" {
  event_source_arn        = aws_sqs_queue.tasks.arn
  function_name           = aws_lambda_function.slash_command.arn
  batch_size              = 10
  function_response_types = ["ReportBatchItemFailures"] # only the failed records come back

  depends_on = [aws_iam_role_policy_attachment.sqs_consume]
}
