# ChainOps stdout callback: one JSON object per line, so the runner can follow per-host progress
# without parsing human-oriented output. ansible-core ships no JSONL callback of its own.
from __future__ import annotations

import json
import sys
import time

from ansible.plugins.callback import CallbackBase

DOCUMENTATION = '''
    name: chainops_jsonl
    type: stdout
    short_description: JSON lines for ChainOps
    description: Emits one JSON object per playbook event on stdout.
'''

# Result keys that may carry a diff or a message; everything else stays out of the stream (it can be large).
_KEEP = ('msg', 'rc', 'stderr', 'stdout', 'changed', 'failed', 'skipped', 'unreachable')


def _trim(value, limit=2000):
    if isinstance(value, str) and len(value) > limit:
        return '…' + value[-limit:]
    return value


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = 'stdout'
    CALLBACK_NAME = 'chainops_jsonl'

    def __init__(self):
        super().__init__()
        self._task = None

    def _emit(self, event, **fields):
        fields['event'] = event
        fields['t'] = round(time.time(), 3)
        sys.stdout.write(json.dumps(fields, default=str) + '\n')
        sys.stdout.flush()

    def _result(self, event, result):
        res = result._result or {}
        out = {k: _trim(res[k]) for k in _KEEP if k in res}
        diff = res.get('diff')
        if diff:
            out['diff'] = _trim(json.dumps(diff, default=str), 4000)
        self._emit(event, host=result._host.get_name(), task=result._task.get_name(), action=result._task.action, **out)

    def v2_playbook_on_start(self, playbook):
        self._emit('playbook_start', playbook=playbook._file_name)

    def v2_playbook_on_play_start(self, play):
        self._emit('play_start', play=play.get_name())

    def v2_playbook_on_task_start(self, task, is_conditional):
        self._emit('task_start', task=task.get_name(), action=task.action)

    def v2_playbook_on_handler_task_start(self, task):
        self._emit('task_start', task=task.get_name(), action=task.action, handler=True)

    def v2_runner_on_ok(self, result):
        self._result('ok', result)

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._result('ignored' if ignore_errors else 'failed', result)

    def v2_runner_on_unreachable(self, result):
        self._result('unreachable', result)

    def v2_runner_on_skipped(self, result):
        self._result('skipped', result)

    def v2_on_file_diff(self, result):
        diff = (result._result or {}).get('diff')
        if diff:
            self._emit('diff', host=result._host.get_name(), task=result._task.get_name(), diff=_trim(json.dumps(diff, default=str), 4000))

    def v2_playbook_on_stats(self, stats):
        hosts = {}
        for h in sorted(stats.processed.keys()):
            hosts[h] = stats.summarize(h)
        self._emit('stats', hosts=hosts)

    def v2_playbook_on_no_hosts_matched(self):
        self._emit('no_hosts_matched')
