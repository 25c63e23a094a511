# The Slack slash command example (examples/slack-slash-command/task-handler.mjs: the follow-up
# as a task) with the lambda-after-response layer, behind a public Lambda Function URL; the task
# queue is in tasks.tf.
#   (cd ../../.. && npm ci && bash build.sh)   # build.sh needs node_modules
#   export TF_VAR_slack_signing_secret=...     # keeps the secret off the command line and out of shell history
#   terraform init && terraform apply

locals {
  repo_root = "${path.module}/../../.."
  layer_zip = "${local.repo_root}/dist/after-response-layer.zip"
  layer_arn = var.after_response_layer_arn != null ? var.after_response_layer_arn : aws_lambda_layer_version.after_response[0].arn
}

data "aws_partition" "current" {}

# The handler's directory as it is: plain ESM, lambda-after-response comes from the layer.
data "archive_file" "function" {
  type        = "zip"
  source_dir  = "${local.repo_root}/examples/slack-slash-command"
  output_path = "${path.module}/.build/slack-slash-command.zip"
}

resource "aws_lambda_layer_version" "after_response" {
  count                    = var.after_response_layer_arn == null ? 1 : 0
  layer_name               = "after-response"
  description              = "lambda-after-response (in-process extension that holds the environment until the jobs settle)"
  filename                 = local.layer_zip
  source_code_hash         = filebase64sha256(local.layer_zip)
  compatible_runtimes      = ["nodejs22.x", "nodejs24.x"]
  compatible_architectures = ["x86_64", "arm64"] # JavaScript and a shell script only
  license_info             = "Apache-2.0"
}

resource "aws_iam_role" "function" {
  name = "${var.function_name}-role"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "lambda.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })
}

resource "aws_iam_role_policy_attachment" "logs" {
  role       = aws_iam_role.function.name
  policy_arn = "arn:${data.aws_partition.current.partition}:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
}

resource "aws_lambda_function" "slash_command" {
  function_name    = var.function_name
  role             = aws_iam_role.function.arn
  runtime          = var.runtime
  architectures    = ["arm64"]
  handler          = "task-handler.handler"
  filename         = data.archive_file.function.output_path
  source_code_hash = data.archive_file.function.output_base64sha256
  memory_size      = 512
  timeout          = var.timeout_seconds
  layers           = [local.layer_arn]

  environment {
    variables = {
      AWS_LAMBDA_EXEC_WRAPPER = "/opt/after-response" # loads the extension into the runtime process
      SLACK_SIGNING_SECRET    = var.slack_signing_secret
      # At the deadline the apology needs a fresh HTTPS connection to Slack (bounded to 1 s in
      # slash-command.mjs): abort the job 2 s before the deadline and give it 1.5 s to settle.
      AFTER_RESPONSE_DEADLINE_MARGIN_MS = "2000"
      AFTER_RESPONSE_ABORT_GRACE_MS     = "1500"
      AFTER_RESPONSE_TASK_QUEUE_URL     = aws_sqs_queue.tasks.url # tasks that cannot finish in their invoke
    }
  }

  depends_on = [aws_iam_role_policy_attachment.logs]
}

# Public: Slack cannot sign AWS requests; the handler verifies Slack's signature instead.
resource "aws_lambda_function_url" "slash_command" {
  function_name      = aws_lambda_function.slash_command.function_name
  authorization_type = "NONE"
}

# A public Function URL needs both permissions (the second one since October 2025).
resource "aws_lambda_permission" "function_url" {
  statement_id           = "AllowPublicFunctionUrl"
  action                 = "lambda:InvokeFunctionUrl"
  function_name          = aws_lambda_function.slash_command.function_name
  principal              = "*"
  function_url_auth_type = "NONE"
}

resource "aws_lambda_permission" "invoke_via_function_url" {
  statement_id             = "AllowInvokeViaFunctionUrl"
  action                   = "lambda:InvokeFunction"
  function_name            = aws_lambda_function.slash_command.function_name
  principal                = "*"
  invoked_via_function_url = true
}
