namespace Shrink; internal static class Placeholder {}
