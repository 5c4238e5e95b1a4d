// onnx-proto is protobufjs code generated from onnx.proto (CommonJS): one import point here.
import onnxProto from 'onnx-proto';

export const onnx = onnxProto.onnx;
export type { onnx as OnnxTypes } from 'onnx-proto';

/** IR version and opset of every graph vaekit writes (docs/architecture.md: loads in onnxruntime 1.30 and onnx 1.12). */
export const IR_VERSION = 8;
export const OPSET = 17;
