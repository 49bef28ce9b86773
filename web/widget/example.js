// The third widget of example.html: mounted from JavaScript, driven by the
// page's buttons, its events listed. (A module file: the page's CSP allows
// no inline script.)
import { mount } from './kafkaplay-widget.js';

const scenario = {
  brokers: 3,
  seed: 7,
  topics: [{ name: 'payments', partitions: 2, replicationFactor: 3, configs: { 'min.insync.replicas': '2' } }],
  commands: ['kafka-topics --bootstrap-server localhost:9092 --list'],
};

const events = document.getElementById('events');
function log(text) {
  const item = document.createElement('li');
  item.textContent = text;
  events.append(item);
  while (events.children.length > 50) events.firstElementChild.remove();
}

const widget = mount(document.getElementById('scripted'), { scenario, views: 'cluster terminal', height: '480px' });
for (const type of ['ready', 'leader-changed', 'records-produced', 'step-done', 'error']) {
  widget.on(type, (e) => log(`${type} ${JSON.stringify(e.detail ?? {})}`.slice(0, 300)));
}

document.getElementById('describe').addEventListener('click', async () => {
  const result = await widget.run('kafka-topics --bootstrap-server localhost:9092 --describe --topic payments');
  if (result) log(`run → exit ${result.exitCode}`);
});
document.getElementById('produce').addEventListener('click', () => {
  widget.run('kafka-console-producer --bootstrap-server localhost:9092 --topic payments <<EOF\none\ntwo\nthree\nEOF');
});
document.getElementById('remove').addEventListener('click', () => {
  widget.destroy();
  document.getElementById('scripted').remove();
  log('widget removed');
});
