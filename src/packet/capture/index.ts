// Capture files: pcap and pcapng, read as streams or buffers, written as streams or bytes.
export { LINKTYPE, type CaptureInterface, type CapturePacket, type PacketToWrite, type CaptureFormat } from './types.js';
export { parseCapture, readCapture, captureFormatOf, type CaptureReadOptions, type CaptureSource } from './read.js';
export { encodeCapture, CaptureWriter, type CaptureWriteOptions } from './write.js';
export { PcapEncoder, type PcapWriteOptions } from './pcap-write.js';
export { PcapngEncoder, type PcapngWriteOptions, type PcapngInterfaceOptions } from './pcapng-write.js';
