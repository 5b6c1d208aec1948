package g3;
import dev.prefer.train.online.OnlineBench;
import dev.prefer.train.TrainConfig;
public class GrpoCpu {
  public static void main(String[] a) {
    int steps = Integer.parseInt(a[0]);
    var s = new OnlineBench.Shape(12, 768, 12, 50257, 2, 4, 64, 32, steps, 1);
    var r = OnlineBench.run(s, TrainConfig.PrefixSharing.AUTO);
    System.out.printf("wall %.3f s/step  sampling %.3f  cpu %.3f s/step  len %.1f%n", r.medianSeconds(), r.samplingShare(), r.cpuSecondsPerStep(), r.meanCompletion());
  }
}
