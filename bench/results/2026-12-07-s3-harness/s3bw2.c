#include <stdio.h>
#include <stdlib.h>
#include <omp.h>
#include <time.h>
#include <sys/resource.h>
static long busy(){FILE*f=fopen("/proc/stat","r");long u,n,s,i,w,q,sq,st;fscanf(f,"cpu %ld %ld %ld %ld %ld %ld %ld %ld",&u,&n,&s,&i,&w,&q,&sq,&st);fclose(f);return u+n+s+q+sq+st;}
static double own(){struct rusage r;getrusage(RUSAGE_SELF,&r);return r.ru_utime.tv_sec+r.ru_utime.tv_usec*1e-6+r.ru_stime.tv_sec+r.ru_stime.tv_usec*1e-6;}
int main(int argc,char**argv){ size_t n=(size_t)340*1024*1024/4; float*a=aligned_alloc(64,n*4); for(size_t i=0;i<n;i++)a[i]=i*1e-9f;
 int trials=atoi(argv[1]);
 for(int k=0;k<trials;k++){ int t=1+(k&1); omp_set_num_threads(t);
   long b0=busy(); double o0=own(); struct timespec s,e; clock_gettime(CLOCK_MONOTONIC,&s); double sum=0;
   for(int rep=0;rep<4;rep++){
   #pragma omp parallel for reduction(+:sum)
   for(size_t i=0;i<n;i++) sum+=a[i];}
   clock_gettime(CLOCK_MONOTONIC,&e); double dt=(e.tv_sec-s.tv_sec)+(e.tv_nsec-s.tv_nsec)*1e-9;
   double others=(busy()-b0)/100.0-(own()-o0);
   printf("threads %d %.1f GB/s others %.2f cpu-s over %.2f s%s\n",t,4*n*4/dt/1e9,others,dt,sum==1?"x":"");}
}
