namespace Coputer.Luau.Library;

/// <summary>
/// <c>math.noise(x, y, z)</c>: Ken Perlin's improved gradient noise in three dimensions, computed in single
/// precision exactly as the reference does, so that results agree to the last bit. Missing arguments are 0.
/// The noise is 0 at every integer lattice point and repeats every 256 units along each axis.
/// </summary>
internal static class MathNoise
{
    /// <summary>
    /// The noise at (x, y, z). Each coordinate is first rounded to a float, as in the reference's default
    /// build; with <paramref name="wrapInputs"/> it is first reduced modulo 256 (C's <c>fmod</c>), which is what
    /// the reference does when its <c>FixMathNoisePrecision</c> flag is on and which keeps precision for large
    /// coordinates.
    /// </summary>
    public static double Noise(double x, double y, double z, bool wrapInputs = false)
    {
        if (wrapInputs)
        {
            // C#'s % on doubles is C's fmod: the remainder keeps the dividend's sign.
            x %= 256.0;
            y %= 256.0;
            z %= 256.0;
        }
        return Perlin((float)x, (float)y, (float)z);
    }

    private static float Perlin(float x, float y, float z)
    {
        float xFloor = MathF.Floor(x);
        float yFloor = MathF.Floor(y);
        float zFloor = MathF.Floor(z);

        // C's (int) of a float outside the int range gives int.MinValue on x86-64, whose low byte is 0.
        int xi = NativeCasts.ToInt32(xFloor) & 255;
        int yi = NativeCasts.ToInt32(yFloor) & 255;
        int zi = NativeCasts.ToInt32(zFloor) & 255;

        float xf = x - xFloor;
        float yf = y - yFloor;
        float zf = z - zFloor;

        float u = Fade(xf);
        float v = Fade(yf);
        float w = Fade(zf);

        ReadOnlySpan<byte> p = Permutation;
        int a = (p[xi] + yi) & 255;
        int aa = (p[a] + zi) & 255;
        int ab = (p[a + 1] + zi) & 255;
        int b = (p[xi + 1] + yi) & 255;
        int ba = (p[b] + zi) & 255;
        int bb = (p[b + 1] + zi) & 255;

        // The eight corners of the cell, blended along x, then y, then z.
        float x00 = Lerp(u, Gradient(p[aa], xf, yf, zf), Gradient(p[ba], xf - 1, yf, zf));
        float x10 = Lerp(u, Gradient(p[ab], xf, yf - 1, zf), Gradient(p[bb], xf - 1, yf - 1, zf));
        float x01 = Lerp(u, Gradient(p[aa + 1], xf, yf, zf - 1), Gradient(p[ba + 1], xf - 1, yf, zf - 1));
        float x11 = Lerp(u, Gradient(p[ab + 1], xf, yf - 1, zf - 1), Gradient(p[bb + 1], xf - 1, yf - 1, zf - 1));

        return Lerp(w, Lerp(v, x00, x10), Lerp(v, x01, x11));
    }

    /// <summary>Perlin's quintic smoothstep 6t^5 - 15t^4 + 10t^3, evaluated in the reference's order.</summary>
    private static float Fade(float t) => t * t * t * (t * (t * 6 - 15) + 10);

    private static float Lerp(float t, float a, float b) => a + t * (b - a);

    /// <summary>Dot product of (x, y, z) with one of the 12 cube-edge gradients (4 of them twice) chosen by the hash.</summary>
    private static float Gradient(int hash, float x, float y, float z)
    {
        int index = (hash & 15) * 3;
        ReadOnlySpan<sbyte> g = Gradients;
        return g[index] * x + g[index + 1] * y + g[index + 2] * z;
    }

    private static ReadOnlySpan<sbyte> Gradients =>
    [
        1, 1, 0, -1, 1, 0, 1, -1, 0, -1, -1, 0,
        1, 0, 1, -1, 0, 1, 1, 0, -1, -1, 0, -1,
        0, 1, 1, 0, -1, 1, 0, 1, -1, 0, -1, -1,
        1, 1, 0, 0, -1, 1, -1, 1, 0, 0, -1, -1,
    ];

    /// <summary>Perlin's reference permutation of 0..255, with its first entry repeated at the end.</summary>
    private static ReadOnlySpan<byte> Permutation =>
    [
        151, 160, 137, 91, 90, 15, 131, 13, 201, 95, 96, 53, 194, 233, 7, 225, 140, 36, 103, 30, 69, 142, 8, 99, 37,
        240, 21, 10, 23, 190, 6, 148, 247, 120, 234, 75, 0, 26, 197, 62, 94, 252, 219, 203, 117, 35, 11, 32, 57, 177,
        33, 88, 237, 149, 56, 87, 174, 20, 125, 136, 171, 168, 68, 175, 74, 165, 71, 134, 139, 48, 27, 166, 77, 146,
        158, 231, 83, 111, 229, 122, 60, 211, 133, 230, 220, 105, 92, 41, 55, 46, 245, 40, 244, 102, 143, 54, 65, 25,
        63, 161, 1, 216, 80, 73, 209, 76, 132, 187, 208, 89, 18, 169, 200, 196, 135, 130, 116, 188, 159, 86, 164, 100,
        109, 198, 173, 186, 3, 64, 52, 217, 226, 250, 124, 123, 5, 202, 38, 147, 118, 126, 255, 82, 85, 212, 207, 206,
        59, 227, 47, 16, 58, 17, 182, 189, 28, 42, 223, 183, 170, 213, 119, 248, 152, 2, 44, 154, 163, 70, 221, 153,
        101, 155, 167, 43, 172, 9, 129, 22, 39, 253, 19, 98, 108, 110, 79, 113, 224, 232, 178, 185, 112, 104, 218,
        246, 97, 228, 251, 34, 242, 193, 238, 210, 144, 12, 191, 179, 162, 241, 81, 51, 145, 235, 249, 14, 239, 107,
        49, 192, 214, 31, 181, 199, 106, 157, 184, 84, 204, 176, 115, 121, 50, 45, 127, 4, 150, 254, 138, 236, 205,
        93, 222, 114, 67, 29, 24, 72, 243, 141, 128, 195, 78, 66, 215, 61, 156, 180, 151,
    ];
}
