// PLACEHOLDER (issue 12, deploy templates branch): the deploy templates and their synth test need
// this path to exist. The real Slack slash command handler replaces this file at merge.
export const handler = async () => ({ statusCode: 501, body: 'placeholder: the Slack example handler is not merged yet' });
