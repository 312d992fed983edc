// Choosing the ONNX Runtime execution provider: the GPU one where it can start, else the CPU.
import fs from 'node:fs';

export type ProviderName = 'cuda' | 'dml' | 'coreml' | 'webgpu' | 'cpu';
export type ProviderSetting = 'auto' | ProviderName;

export const PROVIDER_SETTINGS: readonly ProviderSetting[] = ['auto', 'cuda', 'dml', 'coreml', 'webgpu', 'cpu'];

export interface ProviderReport {
  requested: ProviderSetting;
  /** The provider the sessions run on. */
  used: ProviderName;
  /** Providers tried before it, each with why it could not start. */
  fallbacks: { provider: ProviderName; reason: string }[];
}

export interface Environment {
  platform: NodeJS.Platform;
  /** Backends onnxruntime-node reports, with whether their libraries ship in the package. */
  backends: { name: string; bundled: boolean }[];
  /** Whether a file exists (the CUDA provider library, GPU device nodes). */
  exists: (file: string) => boolean;
  /** Folder holding onnxruntime-node's native libraries. */
  ortBinDir: string;
}

export function defaultEnvironment(backends: { name: string; bundled: boolean }[], ortBinDir: string): Environment {
  return { platform: process.platform, backends, exists: (f) => fs.existsSync(f), ortBinDir };
}

function hasGpuDevice(env: Environment): boolean {
  return ['/dev/nvidia0', '/dev/dri/renderD128', '/dev/kfd'].some((f) => env.exists(f));
}

/** The CUDA provider's library as onnxruntime-node loads it, when installed (README: GPU acceleration). */
function cudaLibrary(env: Environment): string {
  return `${env.ortBinDir}/${env.platform === 'win32' ? 'onnxruntime_providers_cuda.dll' : 'libonnxruntime_providers_cuda.so'}`;
}

function cudaInstalled(env: Environment): boolean {
  const cuda = env.backends.find((b) => b.name === 'cuda');
  return !!cuda && (cuda.bundled || env.exists(cudaLibrary(env)));
}

/**
 * Why `provider` cannot start here, known before asking ONNX Runtime; null when it may. Today: CUDA
 * requested (by the setting) while its libraries were never installed. Asking ORT anyway would fail
 * the same way but print a native "Failed to load library" error to stderr, which reads as a crash.
 */
export function unavailableReason(provider: ProviderName, env: Environment): string | null {
  if (provider === 'cuda' && !cudaInstalled(env)) {
    return `the CUDA provider is not installed (${cudaLibrary(env)} is missing): run onnxruntime-node's install script with ONNXRUNTIME_NODE_INSTALL=cuda12, see the README`;
  }
  return null;
}

/**
 * The providers to try, best first, always ending with the CPU. 'auto' picks by platform:
 * CUDA (when its libraries were installed, see README) then WebGPU on Linux and Windows with a GPU,
 * DirectML on Windows, CoreML on macOS.
 */
export function providerCandidates(requested: ProviderSetting, env: Environment): ProviderName[] {
  if (requested !== 'auto') return requested === 'cpu' ? ['cpu'] : [requested, 'cpu'];
  const have = (name: string) => env.backends.some((b) => b.name === name);
  const out: ProviderName[] = [];
  if (env.platform === 'linux' && cudaInstalled(env)) out.push('cuda');
  if (env.platform === 'win32') {
    if (cudaInstalled(env)) out.push('cuda');
    out.push('dml');
  }
  if (env.platform === 'darwin') out.push('coreml');
  // WebGPU only where a GPU device exists: on a machine without one it would start on a software
  // adapter, slower than the CPU provider.
  if (have('webgpu') && env.platform === 'linux' && hasGpuDevice(env)) out.push('webgpu');
  out.push('cpu');
  return out;
}
