export { DvcliveTailer, LiveOutage, type DvcliveTailerOptions, type LiveSender } from './tailer.js';
export { httpSender } from './send.js';
