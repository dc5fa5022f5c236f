#!/usr/bin/python3
# Regenerate tests/unit/sun_ref.h (needs python3-ephem): body of the table.
import ephem, datetime, os, time
places=[("Kiritimati (UTC+14)",1.87,-157.4,"Pacific/Kiritimati"),("Apia (UTC+13)",-13.83,-171.76,"Pacific/Apia"),("Libreville (equator)",0.39,9.45,"Africa/Libreville"),("New York",40.7128,-74.0060,"America/New_York"),("Berlin",52.52,13.405,"Europe/Berlin"),("Tromso (69.6 N)",69.6492,18.9553,"Europe/Oslo"),("Lord Howe",-31.55,159.08,"Australia/Lord_Howe"),("Quito",-0.18,-78.47,"America/Guayaquil")]
dates=[(2026,3,20),(2026,6,21),(2026,12,21),(2026,3,8),(2026,2,15),(2026,10,15),(2026,11,1)]
kinds=[("SUN_RISE","-0:50",True),("SUN_SET","-0:50",False),("SUN_CIVIL_DAWN","-6",True),("SUN_CIVIL_DUSK","-6",False),("SUN_NAUT_DAWN","-12",True),("SUN_NAUT_DUSK","-12",False)]
import calendar
for name,lat,lon,tz in places:
  os.environ['TZ']=tz; time.tzset()
  for (y,m,d) in dates:
    # local midnight of date -> UTC
    t0=time.mktime((y,m,d,0,0,0,0,0,-1))
    for kn,hor,rise in kinds:
      o=ephem.Observer(); o.lat=str(lat); o.lon=str(lon); o.pressure=0; o.horizon=hor; o.elevation=0
      o.date=ephem.Date(datetime.datetime.utcfromtimestamp(t0))
      s=ephem.Sun()
      try:
        r = o.next_rising(s,use_center=True) if rise else o.next_setting(s,use_center=True)
        ts=calendar.timegm(r.datetime().timetuple()) + r.datetime().microsecond/1e6
        lt=time.localtime(ts)
        if (lt.tm_year,lt.tm_mon,lt.tm_mday)!=(y,m,d): val=-1
        else: val=int(round(ts))
      except (ephem.AlwaysUpError, ephem.NeverUpError):
        val=-1
      print('\t{ "%s", %s, %s, %s, %d, %d, %d, %s, %dLL },' % (name, tz and '"%s"'%tz, lat, lon, y,m,d,kn,val))
