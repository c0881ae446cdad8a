"""Enum values of include/ccrnn/ccrnn.h (pinned numbers)."""
import enum


class Status(enum.IntEnum):
    OK = 0
    ERR_NULL = 1
    ERR_ARG = 2
    ERR_SHAPE = 3
    ERR_STATE = 4
    ERR_NUMERIC = 5
    ERR_NOMEM = 6
    ERR_IO = 7
    ERR_FORMAT = 8
    ERR_CHECKSUM = 9
    ERR_VERSION = 10
    ERR_MISMATCH = 11


class Cell(enum.IntEnum):
    LSTM = 0
    TANH = 1
    GRU = 2


class Param(enum.IntEnum):
    THREADS = 0
    TRAINING = 10
    ABLATED = 20
    IO_LESION = 21
    LOSS_MEAN = 22
    LR = 30
    BETA1 = 31
    BETA2 = 32
    EPS = 33
    WEIGHT_DECAY = 34
    MOMENTUM = 35
    ALPHA = 36
    CLIP_NORM = 37
    GRAD_NORM = 38
    STEPS = 39


class CerebellumFlag(enum.IntFlag):
    DEFAULT = 0
    ZERO_LAST_WEIGHT_ONLY = 1


class WindowFlag(enum.IntFlag):
    DEFAULT = 0
    NO_SYNTHETIC = 1
    NO_LEARN = 2


class OptimizerKind(enum.IntEnum):
    ADAM = 0
    SGD = 1
    RMSPROP = 2


class GroupParam(enum.IntEnum):
    LR_SCALE = 0
    FROZEN = 1
