import { type BotOptions, createBot, isMain } from 'natter'

interface Push {
  ref: string
  compare: string
  pusher: { name: string }
  repository: { full_name: string }
  commits: Array<{ message: string }>
}

interface WorkflowRun {
  action: string
  repository: { full_name: string }
  workflow_run: { name: string; head_branch: string; conclusion: string | null; html_url: string }
}

/**
 * GitHub's push and workflow-run events, summarised into a room: point a repository's webhook (JSON
 * content type, secret GITHUB_WEBHOOK_SECRET) at `https://<app>/github/<room JID>`, a room the bot is
 * in (XMPP_ROOMS).
 */
export function buildGithub(options: BotOptions = {}) {
  const bot = createBot(options)

  bot.webhook('/github/:room', { secret: { env: 'GITHUB_WEBHOOK_SECRET' } }, (hook) => {
    const room = hook.params.room ?? ''
    if (bot.rooms.nick(room) === undefined) return Response.json({ error: `not in room ${room}` }, { status: 404 })
    const event = hook.headers.get('x-github-event')
    if (event === 'ping') return 'pong'
    const summary = event === 'push' ? pushed(hook.json as Push) : event === 'workflow_run' ? ran(hook.json as WorkflowRun) : undefined
    if (summary !== undefined) hook.say(room, summary, 'groupchat')
  })

  return bot
}

function pushed(push: Push): string {
  const branch = push.ref.replace(/^refs\/heads\//, '')
  const count = push.commits.length
  const first = push.commits.at(-1)?.message.split('\n', 1)[0]
  const what = count === 1 ? `1 commit${first ? `: ${first}` : ''}` : `${count} commits`
  return `${push.pusher.name} pushed ${what} to ${push.repository.full_name} ${branch} ${push.compare}`
}

/** A run once it is done; its other steps (requested, in progress) say nothing. */
function ran(run: WorkflowRun): string | undefined {
  if (run.action !== 'completed') return undefined
  const { name, head_branch, conclusion, html_url } = run.workflow_run
  const mark = conclusion === 'success' ? '✅' : conclusion === 'failure' ? '❌' : '⚪'
  return `${mark} ${name} on ${run.repository.full_name} ${head_branch}: ${conclusion ?? 'done'} ${html_url}`
}

if (isMain(import.meta.url)) buildGithub().run()
