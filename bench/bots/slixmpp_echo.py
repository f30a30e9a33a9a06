"""The peer in natter's benchmark: an echo bot on slixmpp, configured from the environment as natter's is.

It answers every chat message that has a body with "You said: <body>", answers pings and service
discovery as natter does, and sends its presence once online.
"""
import os
import sys
from urllib.parse import urlsplit

from slixmpp import ClientXMPP


class EchoBot(ClientXMPP):
    def __init__(self, jid, password):
        super().__init__(jid, password)
        self.register_plugin('xep_0030')  # service discovery
        self.register_plugin('xep_0199')  # ping
        self.add_event_handler('session_start', self.on_session_start)
        self.add_event_handler('message', self.on_message)
        self.add_event_handler('failed_all_auth', self.on_failed_auth)

    async def on_session_start(self, _event):
        self.send_presence()
        await self.get_roster()

    def on_message(self, msg):
        if msg['type'] == 'chat' and msg['body']:
            msg.reply('You said: %s' % msg['body']).send()

    def on_failed_auth(self, _event):
        print('slixmpp_echo: login refused', file=sys.stderr)
        os._exit(77)


def main():
    jid = os.environ['JID']
    resource = os.environ.get('XMPP_RESOURCE')
    if resource and '/' not in jid:
        jid = '%s/%s' % (jid, resource)
    service = urlsplit(os.environ['XMPP_SERVICE'])
    bot = EchoBot(jid, os.environ['JPASSWORD'])
    # Plain TCP on loopback, as natter's and the bare bot's connections in the benchmark.
    bot.connect((service.hostname, service.port or 5222), force_starttls=False, disable_starttls=True)
    bot.loop.run_forever()


if __name__ == '__main__':
    main()
