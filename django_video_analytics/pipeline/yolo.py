"""YOLOv8 tensors: letterboxing frames into the model's input, decoding its output.

Shared by every backend that runs the raw ONNX graph (onnxruntime here, an inference
server elsewhere), so the same frame gives the same detections wherever it ran.
"""

from dataclasses import dataclass

import cv2
import numpy as np

from .types import Detection

IOU_THRESHOLD = 0.7  # ultralytics' NMS default, so every backend agrees


@dataclass(frozen=True)
class Letterbox:
    """Where a frame sits in the square input: its scale and the padding left and top."""

    scale: float
    pad: tuple[int, int]
    width: int  # the frame's size in pixels
    height: int


def letterbox(image, input_size: int) -> tuple[np.ndarray, Letterbox]:
    """Resize keeping the aspect ratio, pad to the square input; return NCHW float and where."""
    height, width = image.shape[:2]
    scale = min(input_size / height, input_size / width)
    new_width, new_height = round(width * scale), round(height * scale)
    pad = ((input_size - new_width) // 2, (input_size - new_height) // 2)
    canvas = np.full((input_size, input_size, 3), 114, np.uint8)
    canvas[pad[1] : pad[1] + new_height, pad[0] : pad[0] + new_width] = cv2.resize(
        image, (new_width, new_height), interpolation=cv2.INTER_LINEAR
    )
    blob = cv2.dnn.blobFromImage(canvas, 1 / 255.0, swapRB=True)
    return blob, Letterbox(scale, pad, width, height)


def run_batches(letterboxed, largest: int | None, run) -> list[tuple[np.ndarray, Letterbox]]:
    """Each letterboxed frame's output and placement; ``run`` gets at most ``largest`` at once."""
    step, outputs = largest or len(letterboxed), []
    for start in range(0, len(letterboxed), step):
        outputs.extend(run(np.concatenate([blob for blob, _ in letterboxed[start : start + step]])))
    return list(zip(outputs, (placed for _, placed in letterboxed), strict=True))


def decode(output, placed: Letterbox, class_names, class_ids, confidence) -> list[Detection]:
    """One image's ``(4 + classes, N)`` output as detections after NMS, boxes normalised."""
    scores = output[4:]
    class_index = scores.argmax(axis=0)
    score = scores[class_index, np.arange(scores.shape[1])]
    keep = score >= confidence
    if class_ids is not None:
        keep &= np.isin(class_index, class_ids)
    cxcywh, score, class_index = output[:4, keep].T, score[keep], class_index[keep]
    if not len(score):
        return []
    corners = np.column_stack([cxcywh[:, :2] - cxcywh[:, 2:] / 2, cxcywh[:, 2:]])
    kept = cv2.dnn.NMSBoxesBatched(
        corners.tolist(), score.tolist(), class_index.tolist(), confidence, IOU_THRESHOLD
    )
    scale, (pad_x, pad_y) = placed.scale, placed.pad
    detections = []
    for i in np.array(kept).flatten():
        x, y, box_width, box_height = (float(value) for value in corners[i])
        left = max(0.0, (x - pad_x) / scale / placed.width)
        top = max(0.0, (y - pad_y) / scale / placed.height)
        right = min(1.0, (x + box_width - pad_x) / scale / placed.width)
        bottom = min(1.0, (y + box_height - pad_y) / scale / placed.height)
        detections.append(
            Detection(
                class_name=class_names[int(class_index[i])],
                confidence=round(float(score[i]), 4),
                box=(left, top, right - left, bottom - top),
            )
        )
    return detections
